/**
 * `npm run fleet-credentials -- --count N [--transport lite|mqtt]`: packs the provisioned things
 * (certs/aws-out) into one bundle per shard of the Fargate fleet's layout, ready for
 * `aws s3 cp data/fleet-credentials/ s3://<FleetCredentialsBucket>/fleet/ --recursive`.
 */
import { parseFlags } from '../../device/cli/flags.ts';
import { runIfEntryPoint } from '../../device/cli/entry-point.ts';
import { CredentialsBundleError, packAll } from './credentials.ts';
import { fleetLayout, FleetSizingError, type FleetTransport } from './sizing.ts';

const HELP = `Usage: npm run fleet-credentials -- --count N [options]

Packs provisioned device credentials into one JSON bundle per shard (the layout of -c fleet=N).

  --count N           monitors in the fleet (as -c fleet=N)                       (required)
  --transport K       lite | mqtt (as -c fleetTransport=K)                        [lite]
  --aws-dir DIR       written by npm run provision                       [certs/aws-out]
  --out DIR           where the bundles go (0600; upload, then delete)  [data/fleet-credentials]
  -h, --help          this help`;

export async function main(argv: string[]): Promise<number> {
  try {
    const { values } = parseFlags({
      args: argv,
      options: { count: { type: 'string' }, transport: { type: 'string', default: 'lite' }, 'aws-dir': { type: 'string', default: 'certs/aws-out' }, out: { type: 'string', default: 'data/fleet-credentials' }, help: { type: 'boolean', short: 'h', default: false } },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const count = Number(values.count);
    if (values.transport !== 'lite' && values.transport !== 'mqtt') throw new FleetSizingError(`--transport must be lite or mqtt, got ${values.transport}`);
    const layout = fleetLayout(count, values.transport as FleetTransport);
    const files = packAll(values['aws-dir'], count, layout.shards, values.out);
    console.log(`${files.length} bundles in ${values.out}: upload with aws s3 cp ${values.out}/ s3://<FleetCredentialsBucket>/fleet/ --recursive, then delete them`);
    return 0;
  } catch (error) {
    if (error instanceof CredentialsBundleError || error instanceof FleetSizingError || (error as Error).name === 'UsageError') {
      console.error(`fleet-credentials: ${(error as Error).message}`);
      return 2;
    }
    throw error;
  }
}

runIfEntryPoint(import.meta.url, main);
