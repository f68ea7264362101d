/** Colours and symbols in one place, with ASCII fallbacks where the locale is not UTF-8 and no colour under NO_COLOR. */
import process from 'node:process';

/** Whether the terminal's locale can show Unicode box and block characters. */
export function supportsUnicode(env: NodeJS.ProcessEnv = process.env): boolean {
	const locale = env['LC_ALL'] || env['LC_CTYPE'] || env['LANG'] || '';
	return /utf-?8/i.test(locale);
}

/** Whether colour is allowed (https://no-color.org). */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
	return env['NO_COLOR'] === undefined || env['NO_COLOR'] === '';
}

export type Theme = {
	color: boolean;
	accent: string | undefined;
	muted: string | undefined;
	error: string | undefined;
	ok: string | undefined;
	border: 'round' | 'classic';
	bullet: string;
	/** Marks cut text: "…", or "~" in ASCII. */
	ellipsis: string;
};

/** The theme for an environment's locale and NO_COLOR. */
export function makeTheme(env: NodeJS.ProcessEnv = process.env): Theme {
	const color = colorEnabled(env);
	const unicode = supportsUnicode(env);
	return {
		color,
		accent: color ? 'cyan' : undefined,
		muted: color ? 'gray' : undefined,
		error: color ? 'red' : undefined,
		ok: color ? 'green' : undefined,
		border: unicode ? 'round' : 'classic',
		bullet: unicode ? '•' : '*',
		ellipsis: unicode ? '…' : '~',
	};
}
