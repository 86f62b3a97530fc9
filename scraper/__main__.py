"""`python -m scraper` is the same as the `dwscrape` console script."""

from scraper.cli import main

if __name__ == "__main__":
    main()
