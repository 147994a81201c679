// .npmrc and .gitignore of a `trickle init` package.

/** Keeps `npm install` offline and free of machine-specific lock files. */
export function npmrc(): string {
  return `# No install scripts. Two of trickcli's dependencies (ffmpeg-static, onnxruntime-node) download
# binaries in theirs, which fails without internet; trickle does without them (ffmpeg from PATH,
# onnxruntime's CPU runtime inside its package). Matters once npm installs trickcli's dependencies
# here, i.e. when trickcli comes from a registry instead of a file: link.
ignore-scripts=true
# The only dependency is a link to a trickcli folder on this machine; a lock file would only
# record that path. Remove this line once trickcli comes from a registry.
package-lock=false
`;
}

/** What git should not track in the package. */
export function gitignore(): string {
  return `node_modules/
demo-output.ts
`;
}
