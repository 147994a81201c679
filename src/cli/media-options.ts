// The media settings' flags, environment variables and config keys, as the settings table offers them to a command.
import type { Command } from 'commander';
import type { SettingSpec } from '../config/settings.js';
import { mediaFields, type MediaCommand, type MediaField, type MediaFieldName } from '../media/settings.js';

/** The table's rows that `command` exposes (a flag and a config key). */
function offered(command: MediaCommand): [MediaFieldName, MediaField & { flag: string; config: string }][] {
  return mediaFields().filter((row): row is [MediaFieldName, MediaField & { flag: string; config: string }] => {
    const f = row[1];
    return f.flag !== undefined && f.config !== undefined && (f.commands ?? ['process', 'serve']).includes(command);
  });
}

/** Adds the command's media flags, with their help from the table. */
export function addMediaOptions(cmd: Command, command: MediaCommand): Command {
  for (const [, f] of offered(command)) cmd.option(`${f.flag} <${f.value ?? 'value'}>`, f.describe);
  return cmd;
}

/** How each media setting resolves: flag > environment > config key (defaults are the table's, applied in core). */
export function mediaSettingSpecs(command: MediaCommand): SettingSpec[] {
  // A rate stays text ("2M") until the core reads it.
  return offered(command).map(([, f]) => ({ key: f.config, type: f.type === 'string' || f.type === 'rate' ? 'string' : f.type, env: f.env ? [f.env] : [], flag: f.flag }));
}

/** The media block from resolved settings (keyed by config key), keyed by field. */
export function mediaFromSettings(settings: object, command: MediaCommand): Record<string, unknown> {
  return Object.fromEntries(offered(command).map(([name, f]) => [name, (settings as Record<string, unknown>)[f.config]]));
}
