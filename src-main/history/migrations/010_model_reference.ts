/**
 * One name for a model reference: `model`, a models-folder-relative name or `remote:<engine>/<model>`.
 * Replies stored only a file's base name; where it is the end of the conversation's model reference
 * (a model in a subfolder), the reply gets the whole reference.
 */
export const modelReference = `
ALTER TABLE conversations RENAME COLUMN model_path TO model;
ALTER TABLE message_metrics RENAME COLUMN model_file TO model;
UPDATE message_metrics SET model = (
  SELECT c.model FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = message_metrics.message_id
) WHERE EXISTS (
  SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id
  WHERE m.id = message_metrics.message_id AND c.model IS NOT NULL AND c.model <> message_metrics.model
    AND substr(c.model, -length(message_metrics.model) - 1) = '/' || message_metrics.model
);
ALTER TABLE api_requests RENAME COLUMN model_file TO model;
UPDATE api_requests SET metrics = json_set(json_remove(metrics, '$.modelFile'), '$.model', json_extract(metrics, '$.modelFile'))
  WHERE json_type(metrics, '$.modelFile') IS NOT NULL;
`;
