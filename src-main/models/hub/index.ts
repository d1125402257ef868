export { gatedAccess, listRepository, nextPageOf, repositoryInfo, searchHub, searchUrl, sortRepositories } from './client';
export { groupGgufFiles, quantizationOfName, splitPartOf, type GgufFileSet, type GgufGroup, type HubTreeEntry } from './files';
