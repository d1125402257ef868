/**
 * A download is a plan: the files it brings (every part of a split model), and for each its parallel
 * segments with the bytes each has on disk, the version of the file (ETag or Last-Modified) those bytes
 * belong to, and its SHA-256 once verified. The download manager owns the plan's JSON; `parts` and
 * `note` are what the list shows of it.
 */
export const downloadPlans = `
ALTER TABLE downloads ADD COLUMN plan TEXT;
ALTER TABLE downloads ADD COLUMN parts INTEGER NOT NULL DEFAULT 1 CHECK (parts >= 1);
ALTER TABLE downloads ADD COLUMN note TEXT;
CREATE INDEX downloads_by_url ON downloads (url);
`;
