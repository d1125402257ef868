import { GgufInsights, type GgufFileInfo, type Llama } from 'node-llama-cpp';

/**
 * node-llama-cpp's own estimate: its V2 estimators simulate llama.cpp's allocation for the backend
 * actually loaded (on a CPU-only build it cannot say what a GPU would hold, hence our estimator).
 */
export async function nodeLlamaCppEstimate(llama: Llama, info: GgufFileInfo, gpuLayers: number, contextSize: number): Promise<{ cpuBytes: number; gpuBytes: number }> {
  const insights = await GgufInsights.from(info, llama);
  const model = await insights.estimateModelResourceRequirementsV2({ gpuLayers });
  const context = await insights.estimateContextResourceRequirementsV2({ contextSize, modelGpuLayers: gpuLayers, sequences: 1 });
  return { cpuBytes: model.cpuRam + context.cpuRam, gpuBytes: model.gpuVram + context.gpuVram };
}
