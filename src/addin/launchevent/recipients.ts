// The recipient rewrite moved to src/addin/shared so that the task pane uses the same code.
export * from '../shared/recipients.js';
