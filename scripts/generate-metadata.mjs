// Generates src/metadata.ts: the @nestjs/swagger plugin's view of every DTO and controller (property types, comments,
// class-validator constraints), written as code instead of being woven into the compiled classes. The build, the jest
// suites (which compile with swc, where the plugin cannot run) and `npm run openapi` all load this one file with
// SwaggerModule.loadPluginMetadata, so they describe the API identically.
//
// Usage: node scripts/generate-metadata.mjs [outputDir]   (default: src; the stale-check test writes to a temp dir)
import { PluginMetadataGenerator } from '@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator.js';
import { ReadonlyVisitor } from '@nestjs/swagger/plugin';
import { resolve } from 'node:path';

export const PLUGIN_OPTIONS = { introspectComments: true, classValidatorShim: true };

export function generateMetadata(outputDir) {
  const root = resolve(import.meta.dirname, '..');
  const tsconfigPath = resolve(root, 'tsconfig.build.json');
  new PluginMetadataGenerator().generate({
    visitors: [new ReadonlyVisitor({ ...PLUGIN_OPTIONS, pathToSource: resolve(root, 'src') })],
    outputDir,
    filename: 'metadata.ts',
    tsProgramRef: ReadonlyVisitor.createTsProgram(tsconfigPath),
    printDiagnostics: false,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  generateMetadata(resolve(process.argv[2] ?? resolve(import.meta.dirname, '..', 'src')));
}
