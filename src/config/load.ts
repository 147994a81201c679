// Loads the cosmiconfig file (`.trickclirc`, `trickcli.config.js`, package.json#trickcli …) or `--config FILE`.
import { cosmiconfig } from 'cosmiconfig';
import { TrickleError } from '../errors.js';

export type ConfigObject = Record<string, unknown>;

export interface LoadedConfig {
  config: ConfigObject;
  /** Where it came from; undefined when no file was found. */
  filepath?: string;
}

/** Finds and parses the config file; a file that is named but missing or malformed is a config error. */
export async function loadConfigFile(options: { file?: string; cwd?: string } = {}): Promise<LoadedConfig> {
  const explorer = cosmiconfig('trickcli', { stopDir: options.cwd });
  try {
    const result = options.file ? await explorer.load(options.file) : await explorer.search(options.cwd);
    if (!result || result.isEmpty) return { config: {}, filepath: result?.filepath };
    if (typeof result.config !== 'object' || result.config === null || Array.isArray(result.config)) {
      throw new TrickleError('TRICKLE_CONFIG', `config file ${result.filepath} must hold an object`);
    }
    return { config: result.config as ConfigObject, filepath: result.filepath };
  } catch (err) {
    if (err instanceof TrickleError) throw err;
    const where = options.file ?? 'the config file';
    throw new TrickleError('TRICKLE_CONFIG', `cannot read ${where}: ${(err as Error).message}`, { cause: err });
  }
}
