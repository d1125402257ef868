// Preloaded (`node --import`) into the electron-builder run of test/integration/packaging.test.ts: every
// outgoing TCP connection fails at once and its address is appended to the file named by
// HEARTH_NETWORK_LOG, so the test names what the build tried to download instead of waiting out a
// timeout (or, on a machine online, passing on a download). Local sockets (a path) go through.
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const log = process.env.HEARTH_NETWORK_LOG;
const connect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function (...args) {
  // net.connect and tls.connect pass their normalized arguments as one array: [options, callback].
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  if (typeof options.path === 'string') return connect.apply(this, args);
  appendFileSync(log, `${options.host ?? 'localhost'}:${options.port}\n`);
  process.nextTick(() => this.destroy(new Error(`network blocked by the packaging test: ${options.host}:${options.port}`)));
  return this;
};
