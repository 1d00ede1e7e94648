import { createRoot } from 'react-dom/client';

Office.onReady(() => {
  const container = document.getElementById('root');
  if (!container) throw new Error('WORKLINK_TASKPANE_ROOT_MISSING: taskpane.html has no #root element.');
  createRoot(container).render(<h1>Worklink</h1>);
});
