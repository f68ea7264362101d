/** The console's root: header, the items of the repository, and a footer of keys. */
import {Box, Text, useApp, useInput} from 'ink';
import type {Item} from '../engine/index.js';
import type {Theme} from './theme.js';

export type AppProps = {
	repositoryPath: string;
	items: Item[];
	pointCount: number;
	theme: Theme;
};

export function App({repositoryPath, items, pointCount, theme}: AppProps) {
	const {exit} = useApp();
	useInput(input => {
		if (input === 'q') exit();
	});

	return (
		<Box flexDirection="column">
			<Text bold color={theme.accent}>
				Strata · {repositoryPath}
			</Text>
			<Box flexDirection="column" borderStyle={theme.border} paddingX={1}>
				<Text bold>Items ({items.length})</Text>
				{items.length === 0 ? (
					<Text color={theme.muted}>No items yet. Add one: strata item add NAME --volume PATH</Text>
				) : (
					items.map(item => (
						<Text key={item.id}>
							{theme.bullet} {item.name} <Text color={theme.muted}>({item.kind})</Text>
						</Text>
					))
				)}
				{pointCount === 0 ? <Text color={theme.muted}>No recovery points yet.</Text> : <Text>{pointCount} recovery points</Text>}
			</Box>
			<Text color={theme.muted}>q quit</Text>
		</Box>
	);
}
