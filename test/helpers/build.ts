/**
 * The integration tests run the built CLI (dist/), while vitest loads source/: a build older than its source would
 * be tested silently. staleBuild names a source file the build does not reflect, so global setup can rebuild first.
 */
import {existsSync, readdirSync, statSync} from 'node:fs';
import {join, relative} from 'node:path';
import {fileURLToPath} from 'node:url';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, {withFileTypes: true}).flatMap(entry => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(path);
		return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
	});
}

/** The first source file whose built .js is missing or older than it (tsc rewrites every output), else undefined. */
export function staleBuild(root = projectRoot): string | undefined {
	const source = join(root, 'source');
	for (const file of sourceFiles(source)) {
		const built = join(root, 'dist', relative(source, file).replace(/\.tsx?$/, '.js'));
		if (!existsSync(built) || statSync(built).mtimeMs < statSync(file).mtimeMs) return relative(root, file);
	}

	return undefined;
}
