"""DynamoDB access: one table, single-table design. The only package that talks to DynamoDB."""
