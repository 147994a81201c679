// `trickle register`: registers this worker with an orchestrator (byoc or live-runner).
import { Command } from 'commander';
import { addCommonOptions, defineAction, notYetAvailable, withExamples } from '../command.js';

export function registerCommand(): Command {
  const cmd = new Command('register')
    .description('register this worker with a Livepeer orchestrator')
    .option('--mode <mode>', 'byoc (default) or live-runner')
    .option('--orch-url <url>', 'orchestrator URL (ORCH_URL)')
    .option('--orch-secret <secret>', 'orchestrator secret (ORCH_SECRET)')
    .option('--orch-secret-file <file>', 'read the orchestrator secret from a file')
    .option('--name <name>', 'capability name (CAPABILITY_NAME)')
    .option('--description <text>', 'capability description (CAPABILITY_DESCRIPTION)')
    .option('--url <url>', 'URL the orchestrator reaches this worker at (CAPABILITY_URL)')
    .option('--capacity <n>', 'concurrent streams (CAPABILITY_CAPACITY)')
    .option('--price-per-unit <n>', 'price per unit (CAPABILITY_PRICE_PER_UNIT)')
    .option('--price-scaling <n>', 'price scaling (CAPABILITY_PRICE_SCALING)')
    .option('--once', 'register and exit (0 ok, 4 rejected)')
    .option('--insecure', 'do not verify the orchestrator TLS certificate');
  addCommonOptions(cmd);
  withExamples(cmd, 'ORCH_URL=https://orch:9995 ORCH_SECRET=… trickle register --name my-filter --url http://worker:8080 --once');
  return defineAction(cmd, 'register', notYetAvailable('register'));
}
