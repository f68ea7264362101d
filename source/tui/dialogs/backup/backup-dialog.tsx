/** The backup dialog: type, days to keep, and how to go on. Render only. */
import {Box, Text} from 'ink';
import type {Theme} from '../../theme.js';
import {type BackupDialog as Dialog, backupTypes} from '../../state/dialog-state.js';

export function BackupDialog({dialog, width, theme}: {dialog: Dialog; width: number; theme: Theme}) {
	return (
		<Box flexDirection="column" borderStyle={theme.border} borderColor={theme.accent} paddingX={1} width={width}>
			<Text bold color={theme.accent}>
				Back up {dialog.item} now
			</Text>
			<Text>Type: {backupTypes.map(type => (type === dialog.type ? `[${type}]` : ` ${type} `)).join(' ')}</Text>
			<Text>
				Keep for days: {dialog.days}
				{dialog.confirming ? '' : '_'}
			</Text>
			<Text color={theme.muted}>The first backup of an item is always a full. Empty days: kept until removed.</Text>
			<Text bold>{dialog.confirming ? 'Type y to start the backup, n to go back.' : 'Left/Right: type  digits: days  Enter: review  Esc: cancel'}</Text>
		</Box>
	);
}
