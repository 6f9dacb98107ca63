//! Sessions: requests grouped into what one person did in one sitting.
