/**
 * A reply's figures that came in an imported file were measured on another machine (or on this one,
 * and are already counted): they stay with the message but are left out of the dashboard and its CSV.
 */
export const importedMetrics = `
ALTER TABLE message_metrics ADD COLUMN imported INTEGER NOT NULL DEFAULT 0;
`;
