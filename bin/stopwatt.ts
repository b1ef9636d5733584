#!/usr/bin/env -S npx tsx
import { main } from './cli/main.ts';

// The AWS SDK prints a 7-line notice on every command under Node 20 (it will need Node 22 from
// 2027 releases on; the pinned SDK works on 20). The SDK's own switch silences exactly that one.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const argv = process.argv.slice(2);
// watch and simulate stop cleanly on the first Ctrl-C; every other command (including a
// check waiting for a predicted stop) is interrupted at once, so nothing is sent after Ctrl-C.
const stopsCleanly = argv[0] === 'watch' || argv[0] === 'simulate';
const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted || !stopsCleanly) {
    process.stderr.write('stopwatt: interrupted\n');
    process.exit(130);
  }
  interrupted = true;
  controller.abort();
});

process.exitCode = await main(argv, {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: controller.signal,
});
