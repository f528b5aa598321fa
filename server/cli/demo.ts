import path from 'node:path';
import { loadConfig } from '../config.ts';
import { failStart, runServer } from '../main.ts';
import { DEMO_PASSWORD, DEMO_STAFF, seedDemo } from './demo-data.ts';
import { ensureWebBuilt } from './web-build.ts';

const say = (line: string) => process.stdout.write(line + '\n');

// The demo always runs on its own embedded database, never on DATABASE_URL, so it cannot touch real data.
Promise.resolve()
  .then(() => {
    const config = { ...loadConfig({ ...process.env, DATABASE_URL: '' }), dataDir: path.resolve(process.env.DEMO_DATA_DIR || 'demo-data') };
    ensureWebBuilt(config.webDist, say);
    return runServer(config, async (database) => {
      if (await seedDemo(database, say)) say('Demo clinic created.');
      say('');
      say(`Demo accounts (password for all: ${DEMO_PASSWORD}):`);
      for (const s of DEMO_STAFF) say(`  ${s.role.padEnd(10)} ${s.username.padEnd(10)} ${s.displayName}`);
      say('');
    });
  })
  .catch(failStart);
