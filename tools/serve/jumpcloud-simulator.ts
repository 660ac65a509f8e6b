/**
 * `nx run jumpcloud-simulator:serve`: runs the simulator until SIGINT/SIGTERM. The base URL line
 * goes to stdout (scripts read it); request lines (--log-requests) and errors go to stderr.
 */
import { JumpCloudSimulator } from '@jumpcloud-graph/jumpcloud-simulator';
import { parseServeArgs, SERVE_USAGE, type ServeCommand } from './jumpcloud-simulator-args';
import { serveUntilSignal } from './serve-kit';

serveUntilSignal({
  name: 'jumpcloud-simulator',
  usage: SERVE_USAGE,
  parse: parseServeArgs,
  create: (command: Extract<ServeCommand, { kind: 'serve' }>) =>
    new JumpCloudSimulator({
      ...command.options,
      onRequest: command.verbose
        ? (entry) => console.error(`${new Date(entry.startedAt).toISOString()} ${entry.status} ${entry.method} ${entry.path}${entry.fault ? ` fault=${entry.fault}` : ''}`)
        : undefined,
    }),
  async listen(simulator) {
    const baseUrl = await simulator.start();
    const organizations = simulator.dataset.multiTenant ? ` x-org-id: ${simulator.dataset.organizations.map((o) => o.organization._id).join(',')}` : '';
    return { line: `JumpCloud simulator listening on ${baseUrl} x-api-key: ${simulator.apiKey}${organizations}`, stop: () => simulator.stop() };
  },
});
