import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function newest(dir: string): number {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
  }
  return latest;
}

/** Builds the web app when it is missing or older than its sources, so `npm start` always serves the current screens. */
export function ensureWebBuilt(webDist: string, log: (line: string) => void): void {
  if (!fs.existsSync(path.resolve('web/index.html'))) return;
  const index = path.join(webDist, 'index.html');
  const sources = [path.resolve('web'), path.resolve('common')].filter((d) => fs.existsSync(d));
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= Math.max(...sources.map(newest))) return;
  log('Building the web app (first start or changed sources)…');
  execFileSync(process.execPath, [path.resolve('node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
}
