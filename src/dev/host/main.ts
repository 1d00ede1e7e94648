/** Entry of the simulator page (`/dev/outlook`): builds the layout, exposes the bridge to the add-in frames and starts. */
import { BRIDGE_GLOBAL } from '../bridge.js';
import { DEFAULT_LAUNCH_EVENT_PAGE, launchEventPageFrom } from './launch-runtime.js';
import { Simulator } from './simulator.js';
import {
  createLayout,
  renderFolder,
  renderHeader,
  renderLog,
  renderMain,
  renderPane,
  renderRecipients,
  renderSwitches,
} from './views.js';

const root = document.getElementById('simulator');
if (!root) throw new Error('WORKLINK_SIMULATOR_ROOT_MISSING: the page has no element with id "simulator".');

const regions = createLayout(root);
const launchEvent = launchEventPageFrom(location.search);
const simulator = new Simulator(regions.runtime, regions.overlay, launchEvent.page);
if (launchEvent.error) simulator.log(launchEvent.error);
else if (launchEvent.page !== DEFAULT_LAUNCH_EVENT_PAGE)
  simulator.logText('launchEventPage', { page: launchEvent.page });
Object.assign(window, { [BRIDGE_GLOBAL]: simulator.bridge() });

simulator.onChange = (part) => {
  if (part === 'log') {
    renderLog(simulator, regions.log);
    return;
  }
  if (part === 'recipients') {
    renderRecipients(simulator);
    return;
  }
  if (part === 'pane') {
    renderPane(simulator, regions.pane);
    return;
  }
  if (part === 'all') {
    renderHeader(simulator, regions.header);
    renderSwitches(simulator, regions.switches);
    renderPane(simulator, regions.pane);
  }
  if (part === 'all' || part === 'folder') renderFolder(simulator, regions.folder);
  if (part === 'all' || part === 'main') renderMain(simulator, regions.main);
  renderLog(simulator, regions.log);
};

simulator.onChange('all');
simulator.start().catch((error: unknown) => simulator.logText('startFailed', { error: String(error) }));
