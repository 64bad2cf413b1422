"""claimwatch's persistent state: the schema, the store, decisions recorded, read models."""
