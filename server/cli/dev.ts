import { spawn } from 'node:child_process';
import path from 'node:path';

// Development: the API restarts on every server change and Vite serves the web app with hot reload,
// proxying /api to it. Ctrl-C stops both (and the API stops its embedded PostgreSQL).
const children = [
  spawn(process.execPath, [path.resolve('node_modules/tsx/dist/cli.mjs'), 'watch', '--clear-screen=false', 'server/main.ts'], { stdio: 'inherit' }),
  spawn(process.execPath, [path.resolve('node_modules/vite/bin/vite.js'), '--port', process.env.WEB_PORT || '5173'], { stdio: 'inherit' }),
];
const stop = () => children.forEach((child) => child.kill('SIGTERM'));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) child.on('exit', stop);
