export const downloadSegments = `
ALTER TABLE downloads ADD COLUMN segments INTEGER NOT NULL DEFAULT 1 CHECK (segments >= 1);
`;
