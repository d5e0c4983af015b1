// Which entries of the routes and policies directories are config (SPEC §2): the
// `*.yaml`/`*.yml` files directly in them. Hidden files are not (an editor's
// `.routes.yaml.swp` or emacs's `.#routes.yaml` lock), nor are subfolders (key files).
// One test, shared by the loader and the watcher, so they never disagree.
export function isConfigYamlName(name: string): boolean {
  return (name.endsWith('.yaml') || name.endsWith('.yml')) && !name.startsWith('.');
}
