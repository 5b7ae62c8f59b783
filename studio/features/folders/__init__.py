"""Big folders: a listing page in the navigation instead of hundreds of links per page."""
