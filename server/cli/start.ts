import { loadConfig } from '../config.ts';
import { failStart, runServer } from '../main.ts';
import { ensureWebBuilt } from './web-build.ts';

Promise.resolve()
  .then(() => {
    const config = loadConfig();
    ensureWebBuilt(config.webDist, (line) => process.stdout.write(line + '\n'));
    return runServer(config);
  })
  .catch(failStart);
