// The files of a `trickle init` package, as relative paths and contents (nothing touches the disk here).
import { gitignore, npmrc } from './templates/dotfiles.js';
import { INVERT_MODEL_FILE, invertModelBytes } from './templates/invert-model.js';
import { modelProcessorModule } from './templates/model-processor.js';
import { packageJson } from './templates/package-json.js';
import { processorModule } from './templates/processor.js';
import { processorTest } from './templates/processor-test.js';
import { readme } from './templates/readme.js';
import { testHelperModule } from './templates/test-helper.js';

export interface PackageFile {
  /** Relative to the package folder, "/"-separated. */
  path: string;
  contents: string | Uint8Array;
}

export interface PackageFilesOptions {
  /** A valid npm package name. */
  name: string;
  /** The ONNX example instead of the plain per-pixel one. */
  model: boolean;
  /** The dependency spec for trickcli, e.g. "file:/home/me/trickle". */
  trickcliSpec: string;
}

/** Why: one list, so the writer and the tests agree on what a package holds. */
export function packageFiles(o: PackageFilesOptions): PackageFile[] {
  const files: PackageFile[] = [
    { path: 'package.json', contents: packageJson({ name: o.name, model: o.model, trickcli: o.trickcliSpec }) },
    { path: 'index.js', contents: o.model ? modelProcessorModule(o.name) : processorModule(o.name) },
    { path: 'test/processor.test.js', contents: processorTest(o.name, o.model) },
    { path: 'test/trickle.js', contents: testHelperModule() },
    { path: 'README.md', contents: readme({ name: o.name, model: o.model, trickcliSpec: o.trickcliSpec }) },
    { path: '.npmrc', contents: npmrc() },
    { path: '.gitignore', contents: gitignore() },
  ];
  if (o.model) files.push({ path: INVERT_MODEL_FILE, contents: invertModelBytes() });
  return files;
}
