/** The Jobs pane: render only. */
import {DashboardPane, type DashboardPaneProps} from '../../components/pane.js';

export function JobsPane(props: DashboardPaneProps) {
	return <DashboardPane name="jobs" {...props} />;
}
