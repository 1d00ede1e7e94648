// The Office async wrappers moved to src/addin/shared so that the task pane uses the same code.
export * from '../shared/office-async.js';
