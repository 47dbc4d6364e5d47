/**
 * Static assets: the pages under public/ and uPlot's dist files from node_modules. Only files that exist
 * at start-up are served (a fixed map, so no path from a URL ever reaches the file system), read once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

export const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');

/** The uPlot files the pages load, served under /vendor/. */
const UPLOT_FILES = ['uPlot.esm.js', 'uPlot.min.css'] as const;

export function loadStaticFiles(publicDir: string = PUBLIC_DIR): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(publicDir, { recursive: true, encoding: 'utf8' })) {
    const type = CONTENT_TYPES[extname(name)];
    if (type === undefined) continue;
    files.set(`/${name.split('\\').join('/')}`, { body: readFileSync(join(publicDir, name)), contentType: type });
  }
  const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot'));
  for (const name of UPLOT_FILES) {
    files.set(`/vendor/${name}`, { body: readFileSync(join(uplotDir, name)), contentType: CONTENT_TYPES[extname(name)]! });
  }
  const index = files.get('/index.html');
  if (index !== undefined) files.set('/', index);
  return files;
}
