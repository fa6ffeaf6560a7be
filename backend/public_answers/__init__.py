"""Published answers of issue groups: the public Q&A page per commune."""
