// package.json of a `trickle init` package: scripts, and trickcli as a dependency npm resolves offline.

export interface PackageJsonOptions {
  name: string;
  model: boolean;
  /** The dependency spec for trickcli, e.g. "file:/home/me/trickle". */
  trickcli: string;
}

/** package.json text (2-space JSON, trailing newline, as npm writes it). */
export function packageJson(o: PackageJsonOptions): string {
  const pkg = {
    name: o.name,
    version: '0.1.0',
    description: o.model ? 'A trickle processor that runs an ONNX model on every frame' : 'A trickle processor that warms the picture',
    // A file: dependency names a folder on this machine: publishing it would help nobody.
    private: true,
    type: 'module',
    main: 'index.js',
    exports: './index.js',
    engines: { node: '>=20' },
    scripts: {
      test: 'node --test test/processor.test.js',
      demo: 'trickle demo --processor ./',
      start: 'trickle process --processor ./',
      serve: 'trickle serve --processor ./',
    },
    dependencies: { trickcli: o.trickcli },
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}
