export { COLUMNS, UNCERTAINTY_SERIES, epochRow, epochRows, findUncertainty, uncertaintySummary, type EpochRow, type UncertaintyKey } from './epoch-rows';
export { metricsCsv, metricsJson } from './tables';
export { accuracyFigure } from './accuracy-figure';
export { tradeoffFigure } from './tradeoff-figure';
export { heatmapFigure, epochWithMaps } from './heatmap-figure';
export { embeddingFigure, classRegionFigure, chooseRegionEpochs } from './embedding-figure';
export { svgToPng } from './png';
export { reportFigures, writeReport, type ReportFile, type ReportOptions } from './write-report';
