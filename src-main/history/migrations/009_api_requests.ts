/** Requests to the OpenAI API: their figures for the dashboard, without their text (unless the user stores API chats). */
export const apiRequests = `
CREATE TABLE api_requests (
  id INTEGER PRIMARY KEY,
  created_at INTEGER NOT NULL,
  endpoint TEXT NOT NULL,
  model_file TEXT NOT NULL,
  metrics TEXT NOT NULL
);
CREATE INDEX api_requests_by_time ON api_requests (created_at);
`;
