export { receiptMigrations } from './migrations.js';
export { Receipts, type ReceiptReport, type ReceiptsOptions, type ReceiptsView, type WorkflowSender } from './receipts.js';
export { ReceiptStore, type ReceiptKind, type ReceiptMark, type ReceiptSummary, type ReceiptVia, type RecipientReceipt } from './store.js';
