// `trickle register`: registers this worker with an orchestrator (byoc or live-runner).
import { Command } from 'commander';
import { addCommonOptions, defineAction, withExamples } from '../command.js';
import { addRegistrationExtras, REGISTRATION_SPECS, resolveRegistration, type RegistrationSettings } from '../registration-settings.js';
import { keepRegistered, registerOnce } from '../../register/register.js';
import { gpuInfo } from '../../hardware/gpu.js';
import { packageVersion } from '../../worker/system-routes.js';

const MORE = `
Modes:
  byoc         POST {ORCH_URL}/capability/register (PyTrickle-compatible); 3 attempts 2 s apart;
               a 400 means the secret was rejected (exit 4). Unregisters on exit.
  live-runner  POST {ORCH_URL}/runners/heartbeat with the orchestrator secret, then heartbeats
               with the returned heartbeat_secret at the returned heartbeat_interval; 401/404
               registers again. POST {ORCH_URL}/runners/unregister on exit.

Environment: ORCH_URL, ORCH_SECRET, ORCH_SECRET_FILE, CAPABILITY_NAME, CAPABILITY_DESCRIPTION,
CAPABILITY_URL, CAPABILITY_CAPACITY, CAPABILITY_PRICE_PER_UNIT, CAPABILITY_PRICE_SCALING,
CAPABILITY_PRICE_CURRENCY, CAPABILITY_PRICE_UNIT, TRICKLE_REGISTER_MODE, TRICKLE_RUNNER_ID,
TRICKLE_INSECURE.
Exit codes: 0 registered (--once) or unregistered after a signal (130/143); 2 missing or bad
setting; 4 the orchestrator rejected the secret; 1 orchestrator unreachable.
`;

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
  addRegistrationExtras(cmd);
  addCommonOptions(cmd);
  cmd.addHelpText('after', MORE);
  withExamples(
    cmd,
    'ORCH_URL=https://orch:9995 ORCH_SECRET=… trickle register --name my-filter --url http://worker:8080 --once',
    'trickle register --mode live-runner --orch-url https://orch:9995 --orch-secret-file /run/secrets/orch --url http://worker:8080',
  );
  return defineAction(cmd, 'register', async (ctx) => {
    const s = ctx.settings<RegistrationSettings & { once: boolean }>([
      { key: 'mode', type: 'string', env: ['TRICKLE_REGISTER_MODE'], default: 'byoc', flag: '--mode' },
      { key: 'once', type: 'boolean', default: false, flag: '--once' },
      ...REGISTRATION_SPECS,
    ]);
    const reg = resolveRegistration(ctx, s, 'http://localhost:8080');
    const gpus = reg.mode === 'live-runner' ? Object.values(await gpuInfo()) : [];
    const opts = {
      ...reg,
      log: ctx.log,
      signal: ctx.signal,
      version: packageVersion(),
      gpu: gpus[0] ? { id: gpus[0].id, name: gpus[0].name, vram_mb: Math.round(gpus[0].memory_total / 1048576) } : undefined,
    };
    if (s.once) {
      const r = await registerOnce(reg.mode, opts);
      process.stderr.write(`registered ${reg.name} with ${reg.orchUrl} (${reg.mode}${r.runnerId ? `, runner ${r.runnerId}` : ''})\n`);
      return 0;
    }
    const registration = keepRegistered({ ...opts, mode: reg.mode, status: () => 'ready' });
    try {
      await registration.done;
    } finally {
      await registration.close();
    }
  });
}
