"""Bank and payment-platform reconciliation (issue #23): statements imported from the
bank, WeChat Pay and Alipay, each line matched to what the books recorded, cash
deposits from 库存现金 to 银行存款, and the month's 余额调节表.

Matching never changes the books: a line with nothing recorded for it stays unexplained
until the officer records what is missing, through the usual services and reviews."""
