/** User text made safe to show: control characters escaped, overlong values shortened. No I/O. */

/** Longest quoted value a message shows whole; longer ones are shortened to their ends. */
export const maxShownValue = 64;

/** Shows control characters in user input as escapes, so an error line stays one line and no escape reaches a terminal. */
export function printable(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replace(/[\u0000-\u001F\u007F]/g, character => `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** "aaaaaaaa...aaaa" for a value longer than `max` characters: its start and end, so a person still knows it. */
export function shortened(text: string, max = maxShownValue): string {
	if (text.length <= max) return text;
	const tail = Math.floor(max / 4);
	return `${text.slice(0, max - tail - 3)}...${text.slice(-tail)}`;
}

/**
 * Shortens the long values a message quotes ("...") and any other overlong word (a path), adding their length, so a
 * 5000-character argument never comes back whole. Use on every message shown to a person.
 */
export function shortenValues(message: string): string {
	return message
		// Pairs of quotes from the left, so the text between two quoted values is never taken for one.
		.replace(/"([^"]*)"/g, (quoted, value: string) => (value.length > maxShownValue ? `"${shortened(value)}" (${value.length} characters)` : quoted))
		.replace(/[^\s"]{257,}/g, word => `${shortened(word, 128)} (${word.length} characters)`);
}
