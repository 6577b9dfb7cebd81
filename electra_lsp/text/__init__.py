"""The text layer: a document and its kind -> prose segments and sentences, with offsets."""
