"""Chinese search: segmentation, simplified/traditional folding, the glossary and its 术语表
page, search records and the Pagefind index, and the browser worker."""
