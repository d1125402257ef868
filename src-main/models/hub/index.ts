export { gatedAccess, listRepository, nextPageOf, repositoryInfo, searchHub, searchUrl, sortRepositories } from './client';
export { groupGgufFiles, quantizationOfName, type GgufFileSet, type GgufGroup, type HubTreeEntry } from './files';
