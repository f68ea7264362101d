/** A one-line message or error panel at the bottom of the screen: render only. */
import {Text} from 'ink';
import {printable} from '../../engine/index.js';
import type {Theme} from '../theme.js';

export function ErrorPanel({message, theme}: {message: string; theme: Theme}) {
	return (
		<Text color={theme.error} wrap="truncate-end">
			{printable(message)}
		</Text>
	);
}
