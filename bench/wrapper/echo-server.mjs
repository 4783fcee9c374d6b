// The baseline: a bare grpc-js server with one unary method that answers at once. It speaks the
// wrapper's own Run messages (same codec, same sizes) under its own service name, so the only
// difference from the wrapper is the wrapper itself. Prints its port alone on the first line of
// stdout, like the wrapper, and exits on SIGTERM/SIGINT.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { echoService, noopResponse } from './echo-service.mjs';

const server = new Server();
server.addService(echoService, {
  echo(call, callback) {
    callback(null, noopResponse(call.request.executionId));
  },
});
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    process.stderr.write(`echo-server: cannot bind: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`${port}\n`);
});
const stop = () => server.tryShutdown(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
