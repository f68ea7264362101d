/** The Storage cost pane: render only. */
import {DashboardPane, type DashboardPaneProps} from '../../components/pane.js';

export function CostPane(props: DashboardPaneProps) {
	return <DashboardPane name="cost" {...props} />;
}
