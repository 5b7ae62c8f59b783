"""Studio's features, one package each; ``builtin.FEATURES`` lists them in order."""
