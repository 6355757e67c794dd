// PACS networking (DIMSE on dcmjs-dimse): settings, client operations, and the command-line glue.
export * from './config';
export { describeNode } from './association';
export * from './client';
export { failureLines, sendFiles, summarize, type SendSummary } from './send';
