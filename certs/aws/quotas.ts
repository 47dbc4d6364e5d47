/**
 * Pacing of AWS IoT Core control-plane calls. AWS throttles each API per account and region (the
 * "AWS IoT Core API throttling" quotas: e.g. CreateThing, AttachPolicy, AttachThingPrincipal about
 * 15 requests/s, CreateKeysAndCertificate and UpdateCertificate about 10/s; see
 * `aws service-quotas list-service-quotas --service-code iotcore` for your account). We stay a third
 * below them by default so that a console user or another tool in the same account still has room;
 * a ThrottlingException anyway is retried with backoff (retry.ts).
 */
export const DEFAULT_RATES_PER_SECOND: Readonly<Record<string, number>> = Object.freeze({
  DescribeEndpoint: 5,
  DescribeThingType: 5,
  CreateThingType: 5,
  DeprecateThingType: 5,
  DeleteThingType: 5,
  DescribeThingGroup: 5,
  CreateThingGroup: 5,
  DeleteThingGroup: 5,
  GetPolicy: 5,
  CreatePolicy: 5,
  DeletePolicy: 5,
  CreateThing: 10,
  DeleteThing: 10,
  CreateKeysAndCertificate: 6,
  UpdateCertificate: 6,
  DeleteCertificate: 6,
  AttachPolicy: 10,
  DetachPolicy: 10,
  AttachThingPrincipal: 10,
  DetachThingPrincipal: 10,
  AddThingToThingGroup: 10,
  RemoveThingFromThingGroup: 10,
  /** Device Shadow service (data plane), DeleteThingShadow: 400/s per account in most regions. */
  DeleteThingShadow: 50,
});

/** Used for an API missing from the table. */
export const FALLBACK_RATE_PER_SECOND = 5;
