/**
 * The one shape every feature module copies: a plugin file with its dependency record, thin routes,
 * TypeBox schemas and a service, named after the module's folder. Queries files are optional: only
 * where the SQL would make the service long.
 */
export const REQUIRED_MODULE_FILES = ['module', 'routes', 'schemas', 'service'] as const;

/** `users` → `usersModule`: the name each module file exports its plugin under. */
export const pluginExportName = (feature: string): string =>
  `${feature.replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase())}Module`;

/** The required files a module folder lacks, as paths relative to src/modules. */
export function missingModuleFiles(feature: string, files: readonly string[]): string[] {
  const present = new Set(files);
  return REQUIRED_MODULE_FILES.map((kind) => `${feature}.${kind}.ts`)
    .filter((file) => !present.has(file))
    .map((file) => `${feature}/${file}`);
}
