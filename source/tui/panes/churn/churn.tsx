/** The Churn pane: render only. */
import {DashboardPane, type DashboardPaneProps} from '../../components/pane.js';

export function ChurnPane(props: DashboardPaneProps) {
	return <DashboardPane name="churn" {...props} />;
}
